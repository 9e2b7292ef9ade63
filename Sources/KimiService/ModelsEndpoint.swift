import KimiIO

/// `GET /v1/models`: the models served, in the OpenAI list shape vLLM answers with, plus each
/// model's family and directory.
enum ModelsEndpoint {
    static func list(_ models: ModelRegistry) -> [UInt8] {
        let entries: [JSONValue] = models.models.map { model in
            .object([
                ("id", .string(model.name)), ("object", .string("model")), ("owned_by", .string("kimi-tok")),
                ("root", .string(model.directory.path)), ("max_model_len", .int(model.maxModelLength)),
                ("family", .string(model.family.rawValue)),
            ])
        }
        return JSONWriter.bytes(of: .object([("object", .string("list")), ("data", .array(entries))]))
    }
}
