/// The daily warning, from 1 November, that next year's calendar file is missing (RULES §9).
///
/// The State Council announces a year's holiday arrangement late in the year before; until the
/// file `Jobs/calendars/YYYY.toml` exists, every date computed through that year is provisional.
public struct MissingCalendarWarning: Hashable, Sendable {
    /// The year without a calendar file.
    public var year: Int
    /// Where the file goes, relative to the Jobs folder.
    public var file: String { "calendars/\(year).toml" }

    /// The warning due on `asOf`: from 1 November, when next year has no calendar data.
    public static func due(asOf: CivilDate, calendar: WorkingCalendar) -> MissingCalendarWarning? {
        let (year, month, _) = asOf.parts
        guard month >= 11, !calendar.coveredYears.contains(year + 1) else { return nil }
        return MissingCalendarWarning(year: year + 1)
    }

    /// What staff read, in Chinese: what is missing, what it changes, and how to add the file.
    public var text: String {
        """
        尚无 \(year) 年的节假日日历文件 Jobs/\(file)：\(year) 年的工作日暂按《全国年节及纪念日放假办法》\
        的法定假日推算（周末逢法定假日顺延补休，不含调休上班日），经过 \(year) 年的期限均标为“暂定”。\
        国务院办公厅发布 \(year) 年部分节假日安排的通知后，请据通知新建该文件，格式同上一年的文件：\
        year = \(year)，每个节日一个 [[festival]]，写明 name、days_off（放假日期）与 make_up_workdays（调休上班日期），\
        日期写作 \(year)-01-01；保存后运行 certcycle calendar status 检查。
        """
    }
}
