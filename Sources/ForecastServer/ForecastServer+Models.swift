import ForecastConfiguration
import ForecastVocabulary
import Foundation
import Hummingbird
import ModelFiles

extension ForecastServer {
    /// `GET /{route}/models/{city}`: everything about the city's models, the plugin's whole
    /// fit summary and training options included (a forecast carries only their identity).
    func cityModels(_ route: ForecastConfig.Route, context: ServerRequestContext) throws(APIError) -> Response {
        let models = library.current
        let raw = context.parameters.get("city") ?? ""
        let requested = raw.removingPercentEncoding ?? raw
        let (routeModels, city) = try resolve(route: route, city: requested, slug: CityName.slug(requested), in: models)
        var json = JSONWriter(capacity: 4096 + city.models.reduce(0) { $0 + $1.model.summaryJSON.utf8.count })
        json.beginObject()
        ForecastBody.writeService(&json, route: route, routeModels: routeModels)
        json.int("generation", Int64(models.generation))
        ForecastBody.writeCityModels(&json, city)
        json.endObject()
        return Self.json(json.text)
    }
}
