import ForecastServer
import Foundation
import Hummingbird
import HummingbirdTesting
import PluginProcesses
import TestSupport
import Testing

/// Where a headless Chromium is (Debian's `chromium` package), or nil.
enum Chromium {
    static let path: String? = {
        if let configured = ProcessInfo.processInfo.environment["CHROMIUM"], !configured.isEmpty { return configured }
        return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static func arguments(profile: String) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
         "--no-first-run", "--user-data-dir=\(profile)", "--window-size=1000,2600"]
    }
}

@Suite("the page in headless Chromium")
struct BrowserPageTests {
    @Test("Chromium renders the page to a screenshot, and its DOM holds the SVG forecast points",
          .enabled(if: Chromium.path != nil, "no chromium binary (apt-get install -y chromium, or set CHROMIUM=/path)"))
    func renderInChromium() async throws {
        let chromium = try #require(Chromium.path)
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = try await fixture.server().buildApplication()
        try await app.testOnOwnThreads(.live) { client in
            let port = try #require(client.port)
            let url = "http://127.0.0.1:\(port)/"
            let artifacts = ProcessInfo.processInfo.environment["FORECAST_TEST_ARTIFACTS"].map { $0 + "/" } ?? fixture.root + "/"
            let screenshot = artifacts + "page.png"
            let profile = fixture.root + "/chromium-profile"
            let shot = try await ProgramRun.run(ChildProcess(executable: chromium, arguments: Chromium.arguments(profile: profile) + ["--screenshot=\(screenshot)", url]), timeout: 300)
            #expect(shot.status == 0, "\(shot.output)\(shot.errors)")
            let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG")
            #expect(png.count > 20_000, "a blank page compresses smaller than this")

            let dom = try await ProgramRun.run(ChildProcess(executable: chromium, arguments: Chromium.arguments(profile: profile) + ["--dump-dom", url]), timeout: 300)
            #expect(dom.status == 0)
            // The DOM as the browser parsed it: every forecast line has 72 points inside the SVG's view box.
            let lines = PageTests.forecastLines(in: dom.output, route: "v1")
            #expect(lines.count == 2 * ServerFixture.cities.count)
            for line in lines {
                #expect(line.count == 72)
                #expect(line.allSatisfy { (0...880).contains($0.0) && (0...260).contains($0.1) })
            }
            #expect(dom.output.contains("<svg class=\"chart\""))
        }
    }
}
