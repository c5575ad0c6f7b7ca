public import CertCycleCore

/// A date as Chinese letters and notices write it: `2026年2月14日`, without zero padding.
public func chineseDate(_ d: CivilDate) -> String {
    let (year, month, day) = d.parts
    return "\(year)年\(month)月\(day)日"
}

/// The weekday as Chinese calendars print it: `星期六`.
func chineseWeekday(_ d: CivilDate) -> String {
    let names = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]
    return names[d.isoWeekday - 1]
}
