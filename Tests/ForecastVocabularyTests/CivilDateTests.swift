import ForecastVocabulary
import Testing

@Suite struct CivilDateTests {
    @Test func knownDatesHaveTheirDayCounts() {
        #expect(CivilDate.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDate.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilDate.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(CivilDate.days(year: 2017, month: 11, day: 30) == 17_500)
        #expect(CivilDate.date(days: 11_016) == (2000, 2, 29))
        #expect(CivilDate.date(days: -719_468) == (0, 3, 1))
    }

    @Test func everyDayOfFourCenturiesRoundTripsAndFollowsTheDayBefore() {
        var wrong: [Int64] = []
        var previous = CivilDate.date(days: -146_097 - 1)
        for days in Int64(-146_097)...Int64(146_097) {
            let date = CivilDate.date(days: days)
            let next = date.day == 1
                ? previous.day == CivilDate.daysIn(month: previous.month, year: previous.year)
                : date.day == previous.day + 1 && date.month == previous.month
            if CivilDate.days(year: date.year, month: date.month, day: date.day) != days || !next { wrong.append(days) }
            previous = date
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }

    @Test func secondsBefore1970SplitIntoTheDayBefore() {
        #expect(CivilDate.split(0) == (0, 0))
        #expect(CivilDate.split(86_399) == (0, 86_399))
        #expect(CivilDate.split(-1) == (-1, 86_399))
        #expect(CivilDate.split(-86_400) == (-1, 0))
    }

    @Test func leapYearsFollowTheGregorianRule() {
        #expect(CivilDate.isLeap(2000) && CivilDate.isLeap(2016) && !CivilDate.isLeap(1900) && !CivilDate.isLeap(2017))
        #expect(CivilDate.daysIn(month: 2, year: 2016) == 29 && CivilDate.daysIn(month: 2, year: 2100) == 28)
    }
}
