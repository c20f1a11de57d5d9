// bare-server BODY_FILE PORT PATH: serves the file's bytes, read once, at GET PATH.
import Foundation
import Hummingbird

let arguments = CommandLine.arguments
guard arguments.count == 4, let data = FileManager.default.contents(atPath: arguments[1]), let port = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: bare-server BODY_FILE PORT PATH\n".utf8))
    exit(2)
}
let body = ByteBuffer(bytes: data)
let router = Router()
router.get(RouterPath(arguments[3])) { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
