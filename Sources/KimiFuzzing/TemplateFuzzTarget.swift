import KimiChatTemplate

/// Arbitrary template text: the lexer and parser accept it or report a position inside it, and
/// a template that parses renders the sample conversation within the limits, the same way twice.
struct TemplateFuzzTarget {
    let fixtures: FuzzFixtures

    func run(_ bytes: [UInt8]) throws(FuzzInvariantViolation) {
        guard let source = String(validating: bytes, as: UTF8.self) else { return }
        let template: Template
        do {
            template = try Template(source: source, name: "fuzz.jinja")
        } catch {
            try checkPosition(error, in: source)
            return
        }
        let renderer = ChatRenderer(template: template, specialTokenVariables: fixtures.renderer.specialTokenVariables)
        guard let request = try? ChatRequest(messages: fixtures.messages, tools: fixtures.tools) else {
            throw violation("the fixture request is invalid")
        }
        let first = Result { () throws(TemplateError) in try render(renderer, request) }
        let second = Result { () throws(TemplateError) in try render(renderer, request) }
        switch (first, second) {
        case let (.success(a), .success(b)):
            guard a == b else { throw violation("two renders of one template differ") }
            guard a.utf8.count <= fixtures.limits.outputBytes else {
                throw violation("output of \(a.utf8.count) bytes passed the limit")
            }
        case let (.failure(a), .failure(b)):
            guard a.description == b.description else { throw violation("two renders fail differently: \(a) / \(b)") }
            try checkPosition(a, in: source)
        default:
            throw violation("one render succeeds and the other fails")
        }
    }

    /// The one render pipeline on the fixture request; it throws only template errors here.
    private func render(_ renderer: ChatRenderer, _ request: ChatRequest) throws(TemplateError) -> String {
        do {
            return try renderer.rendered(request, limits: fixtures.limits).text
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError(kind: .runtime, message: "\(error)", file: "fuzz.jinja", location: TemplatePosition(line: 0, column: 0))
        }
    }

    /// An error's line and column (counted in Unicode scalars) are inside the source; one
    /// column past the end of a line is allowed. Lines end at `\r\n`, `\r` or `\n`, as in jinja2.
    private func checkPosition(_ error: TemplateError, in source: String) throws(FuzzInvariantViolation) {
        guard error.file == "fuzz.jinja", error.location.line > 0 else { return }
        var lines: [[Unicode.Scalar]] = [[]]
        var previous: Unicode.Scalar?
        for scalar in source.unicodeScalars {
            if scalar == "\r" || (scalar == "\n" && previous != "\r") {
                lines.append([])
            } else if scalar != "\n" {
                lines[lines.count - 1].append(scalar)
            }
            previous = scalar
        }
        guard error.location.line <= lines.count,
            error.location.column >= 1,
            error.location.column <= lines[error.location.line - 1].count + 1
        else {
            throw violation("error position \(error.location.line):\(error.location.column) is outside the template: \(error)")
        }
    }

    private func violation(_ message: String) -> FuzzInvariantViolation {
        FuzzInvariantViolation(.template, message)
    }
}
