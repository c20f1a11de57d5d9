import ForecastVocabulary

/// The OpenAPI operation of `POST /observations` (see ``ObservationPost`` for the body).
enum ObservationsEndpointDocument {
    /// One variable's value: a number in its physical range (what the endpoint accepts), or null.
    static func value(_ variable: Variable, _ description: String) -> [String: Any] {
        ["type": ["number", "null"], "minimum": variable.validRange.lowerBound, "maximum": variable.validRange.upperBound,
         "description": description]
    }

    /// The operation object; `errorResponse` makes a documented JSON error response.
    static func operation(errorResponse: (String) -> [String: Any]) -> [String: Any] {
        let observation: [String: Any] = [
            "type": "object", "additionalProperties": false, "required": ["city", "time"],
            "properties": [
                "city": ["type": "string", "minLength": 1],
                "time": ["type": "string", "format": "date-time", "pattern": "^(1[0-9]{3}|20[01][0-9]|202[0-5])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):00:00Z$",
                         "description": "A whole UTC hour, not in the future (the pattern says up to 2025; later past hours are accepted too)"],
            ].merging(Variable.allCases.map { ($0.name, Self.value($0, "In \($0.storedUnit.rawValue)") as Any) }) { old, _ in old },
        ]
        let body: [String: Any] = [
            "type": "object", "additionalProperties": false, "required": ["observations"],
            "properties": ["observations": ["type": "array", "items": observation]],
        ]
        let answer: [String: Any] = [
            "type": "object", "required": ["stored", "unchanged", "replacedImputed", "dataVersion", "cities"],
            "properties": [
                "stored": ["type": "integer"], "unchanged": ["type": "integer"], "replacedImputed": ["type": "integer"],
                "dataVersion": ["type": "integer"],
                "cities": ["type": "array", "items": ["type": "object"]],
            ],
        ]
        return [
            "operationId": "post_observations",
            "summary": "Append hourly observations (bearer token); the models are conditioned on them, so forecasts start after the latest",
            "security": [["bearer": [String]()]],
            "parameters": [["name": "variable", "in": "query", "required": false,
                            "description": "With a text/csv body: which variable its columns hold",
                            "schema": ["type": "string", "enum": Variable.allCases.map(\.name)]]],
            "requestBody": [
                "required": true,
                "content": [
                    "application/json": ["schema": body],
                ],
                // text/csv (the source's wide format, with ?variable=) is accepted too, but
                // no JSON Schema says which strings are valid CSV: see docs/server.md.
                "description": "JSON as below; or text/csv in the source's wide format (datetime,<city>,... then one line per hour) with ?variable=\(Variable.allCases.map(\.name).joined(separator: "|"))",
            ],
            "responses": [
                "200": ["description": "Stored (or already stored) and the models conditioned",
                        "content": ["application/json": ["schema": answer]]],
                "400": errorResponse("The body is not parseable (code bad_body), or variable is not a variable's name (code bad_variable)"),
                "401": errorResponse("No bearer token (code unauthorized)"),
                "403": errorResponse("Wrong token (code forbidden), or the server has none and is read-only (code writes_disabled)"),
                "404": errorResponse("A city neither the store nor a served model knows (code unknown_city)"),
                "409": errorResponse("A value differs from a stored measurement; nothing was stored (code conflict)"),
                "413": errorResponse("The body is larger than the limit (code body_too_large)"),
                "415": errorResponse("Neither application/json nor text/csv (code unsupported_media_type)"),
                "422": errorResponse("Observations out of range, in the future, or given twice differently (code invalid_observations)"),
                "503": errorResponse("No store to write to, or it failed (code store_unavailable)"),
            ],
        ]
    }
}
