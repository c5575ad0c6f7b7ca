#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Generate Jobs/calendars/2004.toml ... 2026.toml (mainland-China working-day calendar).

Run once by a developer, NOT at runtime. Rerunnable: every run rewrites all the files.

Needs:
    Python >= 3.11 (tomllib is used by --check)
    pip install chinese-calendar==1.11.0

Usage (from the repository root or anywhere):
    python3 Scripts/make-calendars.py           # (re)write Jobs/calendars/YYYY.toml
    python3 Scripts/make-calendars.py --check   # verify the files already written; exit 1 on failure

Source of truth: chinese_calendar.constants.holidays (days off inside each official holiday
period) and chinese_calendar.constants.workdays (weekend make-up working days, 调休上班).
Both dicts map datetime.date -> Holiday *value* (the English name string, e.g. "Spring Festival").

How the files are built:
  * A holiday period = the package's days off, grouped into runs of consecutive dates; two runs
    are one period when only weekend days (that are not make-up days) lie between them (the
    package sometimes leaves an in-period Saturday/Sunday out, e.g. 2011-06-04 + 2011-06-06).
  * A period's name is the Chinese name of every tag it carries, in order of first appearance,
    joined with "、" (e.g. 2023 "中秋节、国庆节"); NAME_OVERRIDES can replace it.
  * A make-up working day belongs to the nearest period carrying the same tag.
  * Every date goes into the file of its own calendar year; a period whose dates fall in two
    years appears (under the same name) in both files.
"""

import argparse
import datetime as dt
import sys
from pathlib import Path

PACKAGE_VERSION = "1.11.0"
FIRST_YEAR, LAST_YEAR = 2004, 2026

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "Jobs" / "calendars"

try:
    import chinese_calendar
    from chinese_calendar import constants
    from chinese_calendar.constants import Holiday
except ImportError:  # pragma: no cover
    sys.exit(f"chinese-calendar is not installed: pip install chinese-calendar=={PACKAGE_VERSION}")

# Chinese names for the regular festivals (the enum's own .chinese lacks "节" for some of them).
CN_NAME = {
    Holiday.new_years_day: "元旦",
    Holiday.spring_festival: "春节",
    Holiday.tomb_sweeping_day: "清明节",
    Holiday.labour_day: "劳动节",
    Holiday.dragon_boat_festival: "端午节",
    Holiday.mid_autumn_festival: "中秋节",
    Holiday.national_day: "国庆节",
}

# Period (keyed by its first day off) -> name, where the package's tags do not tell the whole story.
NAME_OVERRIDES = {
    # 国办发明电〔2019〕16号: "国庆节、中秋节：10月1日至8日放假调休，共8天" (2020-10-01 was also 中秋).
    # The package tags every day of this period "National Day" only.
    dt.date(2020, 10, 1): "国庆节、中秋节",
}


def cn_name(holiday):
    return CN_NAME.get(holiday) or holiday.chinese


def load_package():
    """Return (holidays, workdays) as dicts date -> Holiday member."""
    def conv(d):
        return {day: Holiday(value) for day, value in d.items()}
    return conv(constants.holidays), conv(constants.workdays)


def build_periods(holidays, workdays):
    """Group days off into periods and attach make-up days. Returns a list of dicts."""
    periods = []
    for day in sorted(holidays):
        if periods:
            last = periods[-1]["days_off"][-1]
            gap = [last + dt.timedelta(n) for n in range(1, (day - last).days)]
            if all(g.weekday() >= 5 and g not in workdays for g in gap):
                periods[-1]["days_off"].append(day)
                if holidays[day] not in periods[-1]["tags"]:
                    periods[-1]["tags"].append(holidays[day])
                continue
        periods.append({"days_off": [day], "tags": [holidays[day]], "make_up": []})

    for p in periods:
        first = p["days_off"][0]
        p["name"] = NAME_OVERRIDES.get(first) or "、".join(cn_name(t) for t in p["tags"])

    for day in sorted(workdays):
        tag = workdays[day]
        candidates = [p for p in periods if tag in p["tags"]]
        if not candidates:
            raise SystemExit(f"make-up day {day} tagged {tag.value!r}: no period carries that tag")

        def distance(p):
            return min(abs((day - d).days) for d in p["days_off"])
        best = min(candidates, key=distance)
        if distance(best) > 31:
            raise SystemExit(f"make-up day {day} is {distance(best)} days from its festival {best['name']}")
        best["make_up"].append(day)
    return periods


def entries_by_year(periods):
    """year -> list of (name, days_off, make_up, spans_years) in order of first date."""
    years = {y: [] for y in range(FIRST_YEAR, LAST_YEAR + 1)}
    for p in periods:
        all_dates = p["days_off"] + p["make_up"]
        p_years = sorted({d.year for d in all_dates})
        for y in p_years:
            off = sorted(d for d in p["days_off"] if d.year == y)
            mk = sorted(d for d in p["make_up"] if d.year == y)
            if y not in years:
                raise SystemExit(f"{p['name']} has dates in {y}, outside {FIRST_YEAR}..{LAST_YEAR}")
            years[y].append({"name": p["name"], "days_off": off, "make_up": mk,
                             "period": p, "split": len(p_years) > 1})
    for y in years:
        years[y].sort(key=lambda e: (e["days_off"] or e["make_up"])[0])
    return years


def toml_dates(dates):
    return "[" + ", ".join(d.isoformat() for d in dates) + "]"


def render(year, entries):
    lines = [
        f"# {year} 年中国大陆法定节假日与调休上班日（国务院办公厅通知）",
        f"# 由 Scripts/make-calendars.py 据 chinese-calendar {PACKAGE_VERSION} 生成；工作人员可按官方通知手工修改。",
        "# 工作日 = 周一至周五，减去 days_off，加上 make_up_workdays。",
        f"year = {year}",
        f'source = "chinese-calendar {PACKAGE_VERSION}"',
    ]
    for e in entries:
        lines.append("")
        if e["split"]:
            p = e["period"]
            span = sorted(p["days_off"] + p["make_up"])
            lines.append(f"# 跨年假期（{span[0].isoformat()} 至 {span[-1].isoformat()}）在 {year} 年的部分")
        lines.append("[[festival]]")
        lines.append(f'name = "{e["name"]}"')
        lines.append(f"days_off = {toml_dates(e['days_off'])}")
        lines.append(f"make_up_workdays = {toml_dates(e['make_up'])}")
    return "\n".join(lines) + "\n"


def check_version():
    if chinese_calendar.__version__ != PACKAGE_VERSION:
        raise SystemExit(f"chinese-calendar {chinese_calendar.__version__} installed; "
                         f"this script expects {PACKAGE_VERSION}: pip install chinese-calendar=={PACKAGE_VERSION}")


def generate():
    check_version()
    holidays, workdays = load_package()
    years = entries_by_year(build_periods(holidays, workdays))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for year, entries in years.items():
        path = OUT_DIR / f"{year}.toml"
        path.write_text(render(year, entries), encoding="utf-8", newline="\n")
        n_off = sum(len(e["days_off"]) for e in entries)
        n_mk = sum(len(e["make_up"]) for e in entries)
        print(f"wrote {path.relative_to(ROOT)}  festivals={len(entries)} days_off={n_off} make_up={n_mk}")


def check():
    import tomllib

    check_version()
    failures = []

    def fail(msg):
        failures.append(msg)
        print("FAIL", msg)

    off_all, mk_all = {}, {}  # date -> festival name
    print("year  festivals  days_off  make_up")
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        path = OUT_DIR / f"{year}.toml"
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            fail(f"{path.name}: {exc}")
            continue
        if doc.get("year") != year:
            fail(f"{path.name}: year = {doc.get('year')!r}")
        if doc.get("source") != f"chinese-calendar {PACKAGE_VERSION}":
            fail(f"{path.name}: source = {doc.get('source')!r}")
        n_off = n_mk = 0
        for fest in doc.get("festival", []):
            name = fest.get("name")
            if not isinstance(name, str) or not name:
                fail(f"{path.name}: festival without name")
            for key, store in (("days_off", off_all), ("make_up_workdays", mk_all)):
                dates = fest.get(key)
                if not isinstance(dates, list):
                    fail(f"{path.name} {name}: {key} missing")
                    continue
                if dates != sorted(dates):
                    fail(f"{path.name} {name}: {key} not sorted")
                for d in dates:
                    if type(d) is not dt.date:
                        fail(f"{path.name} {name}: {key} has non-date {d!r}")
                        continue
                    if d.year != year:
                        fail(f"{path.name} {name}: {d} is not in {year}")
                    if d in store:
                        fail(f"{path.name} {name}: {d} listed twice in {key}")
                    store[d] = name
                n_off += len(dates) if key == "days_off" else 0
                n_mk += len(dates) if key == "make_up_workdays" else 0
        print(f"{year}  {len(doc.get('festival', [])):9d}  {n_off:8d}  {n_mk:7d}")

    both = sorted(set(off_all) & set(mk_all))
    if both:
        fail(f"dates both day off and make-up day: {both}")
    else:
        print("OK no date is both a day off and a make-up day")
    weekday_mk = [d for d in mk_all if d.weekday() < 5]
    if weekday_mk:
        print("NOTE make-up days on Mon-Fri (no effect):", weekday_mk)

    # Round trip: the files hold exactly the package's dicts.
    holidays, workdays = load_package()
    if set(off_all) != set(holidays):
        fail(f"days_off != package holidays: extra {sorted(set(off_all) - set(holidays))}, "
             f"missing {sorted(set(holidays) - set(off_all))}")
    else:
        print(f"OK days_off == chinese_calendar.constants.holidays ({len(holidays)} dates)")
    if set(mk_all) != set(workdays):
        fail(f"make_up_workdays != package workdays: extra {sorted(set(mk_all) - set(workdays))}, "
             f"missing {sorted(set(workdays) - set(mk_all))}")
    else:
        print(f"OK make_up_workdays == chinese_calendar.constants.workdays ({len(workdays)} dates)")

    # Spot checks against the official announcements.
    D = dt.date
    spot = [
        (D(2026, 2, 14), "make_up", "春节"), (D(2026, 2, 28), "make_up", "春节"),
        (D(2026, 2, 17), "off", "春节"),
        (D(2024, 2, 4), "make_up", "春节"), (D(2024, 2, 18), "make_up", "春节"),
        (D(2020, 1, 31), "off", "春节"), (D(2020, 2, 1), "off", "春节"), (D(2020, 2, 2), "off", "春节"),
        (D(2008, 5, 1), "off", "劳动节"), (D(2008, 5, 2), "off", "劳动节"), (D(2008, 5, 3), "off", "劳动节"),
    ]
    anti = cn_name(Holiday.anti_fascist_70th_day)
    for day in (D(2015, 9, 3), D(2015, 9, 4), D(2015, 9, 5)):
        spot.append((day, "off", anti))
    for day, kind, name in spot:
        store = off_all if kind == "off" else mk_all
        got = store.get(day)
        label = "day off" if kind == "off" else "make-up day"
        if got == name:
            print(f"OK   {day} {label} ({got})")
        elif kind == "off" and day.weekday() >= 5 and day not in mk_all:
            print(f"NOTE {day} ({day:%a}) not listed in days_off (package omits it) "
                  f"but is a weekend, so still not a working day")
        else:
            fail(f"{day}: expected {label} of {name}, got off={off_all.get(day)} make_up={mk_all.get(day)}")

    # Every day: working day from the files == chinese_calendar.is_workday.
    mismatches = []
    day = D(FIRST_YEAR, 1, 1)
    while day <= D(LAST_YEAR, 12, 31):
        ours = (day.weekday() < 5 and day not in off_all) or day in mk_all
        if ours != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += dt.timedelta(1)
    n_days = (D(LAST_YEAR, 12, 31) - D(FIRST_YEAR, 1, 1)).days + 1
    print(f"is_workday comparison over {n_days} days {FIRST_YEAR}-01-01..{LAST_YEAR}-12-31: "
          f"{len(mismatches)} mismatches")
    if mismatches:
        fail(f"is_workday mismatches: {mismatches[:20]}")

    print("CHECK PASSED" if not failures else f"CHECK FAILED ({len(failures)} problems)")
    return 0 if not failures else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="verify the written files instead of writing them")
    args = ap.parse_args()
    if args.check:
        sys.exit(check())
    generate()


if __name__ == "__main__":
    main()
