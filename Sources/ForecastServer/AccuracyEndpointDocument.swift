import ForecastVocabulary
/// The OpenAPI operation of `GET /{route}/accuracy` (see ``AccuracyTracker``).
enum AccuracyEndpointDocument {
    /// The operation object for `route`; `errorResponse` makes a documented JSON error response.
    static func operation(id: String, route: String, errorResponse: (String) -> [String: Any]) -> [String: Any] {
        let nullableNumber: [String: Any] = ["type": ["number", "null"]]
        let band: [String: Any] = [
            "type": "object", "required": ["band", "n", "mae", "rmse", "coverage95", "skill"],
            "properties": [
                "band": ["type": "string", "enum": AccuracyTracker.bands],
                "n": ["type": "integer", "minimum": 0, "description": "Leads scored"],
                "mae": nullableNumber, "rmse": nullableNumber,
                "coverage95": ["type": ["number", "null"], "minimum": 0, "maximum": 1,
                               "description": "Share of observations inside the 95% interval"],
                "skill": ["type": ["number", "null"], "description": "1 - MAE / MAE of the seasonal-naive route on the same leads"],
            ],
        ]
        let bands: [String: Any] = ["type": "array", "items": band]
        let answer: [String: Any] = [
            "type": "object", "required": ["route", "baseline", "horizonHours", "windowOrigins", "units", "cities"],
            "properties": [
                "route": ["type": "string"],
                "baseline": ["type": ["string", "null"]],
                "horizonHours": ["type": "integer"],
                "windowOrigins": ["type": "integer"],
                "units": ["type": "object"],
                "cities": ["type": "array", "items": [
                    "type": "object", "required": ["city", "variables"],
                    "properties": [
                        "city": ["type": "string"],
                        "variables": ["type": "object", "properties": Dictionary(uniqueKeysWithValues: Variable.allCases.map { ($0.name, bands) })],
                    ],
                ]],
            ],
        ]
        return [
            "operationId": "\(id)_accuracy",
            "summary": "How /\(route)'s forecasts scored against the observations that arrived after them, per city, variable and lead band",
            "parameters": [["name": "city", "in": "query", "required": false,
                            "description": "One city (name); without it, every city of the route",
                            "schema": ["type": "string"]]],
            "responses": [
                "200": ["description": "MAE, RMSE, 95% coverage and skill in the store's units",
                        "content": ["application/json": ["schema": answer]]],
                "404": errorResponse("The route has no model for that city (code unknown_city)"),
            ],
        ]
    }
}
