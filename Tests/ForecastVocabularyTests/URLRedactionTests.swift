import ForecastVocabulary
import Testing

@Suite struct URLRedactionTests {
    @Test func aPasswordIsReplacedAndTheRestKept() {
        #expect(URLRedaction.redacted("postgresql://forecast:s3cret@db.example:5432/forecast")
                == "postgresql://forecast:***@db.example:5432/forecast")
    }

    @Test func aURLWithoutAPasswordComesBackUnchanged() {
        for url in ["postgresql://forecast@127.0.0.1:5432/forecast", "postgresql:///forecast", "forecast.sqlite",
                    "http://127.0.0.1:8080/v1", "postgres://host:5432/db"] {
            #expect(URLRedaction.redacted(url) == url)
        }
    }

    @Test func onlyTheUserPartIsRead() {
        // A colon after the "@" (the port) or in the path is not a password.
        #expect(URLRedaction.redacted("postgresql://u@h:1/d?password=x:y") == "postgresql://u@h:1/d?password=x:y")
        #expect(URLRedaction.redacted("postgresql://u:p:q@h/d") == "postgresql://u:***@h/d")
    }
}
