import Foundation

/// Every model file under `root` (`<plugin>/<city>/<variable>.model`), and every temporary
/// file a publish left behind.
struct ModelTree {
    var models: [String: Data] = [:]
    var temporaries: [String] = []

    init(root: String) {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return }
        while let relative = walker.nextObject() as? String {
            let path = "\(root)/\(relative)"
            let name = (relative as NSString).lastPathComponent
            if name.hasSuffix(".model") {
                models[relative] = FileManager.default.contents(atPath: path)
            } else if name.hasPrefix(".") && name.contains(".tmp-") {
                temporaries.append(relative)
            }
        }
    }
}
