import Foundation

/// The global functions of transformers' chat-template environment.
enum Globals {
    /// The name of `self`, jinja2's reference to the template (printed `<TemplateReference None>`).
    static let selfReferenceName = "<TemplateReference>"

    static let all: [String: Value] = [
        "self": .callable(Callable(name: selfReferenceName) { _ in throw TemplateFailure.type("'TemplateReference' object is not callable") }),
        "range": .callable(
            Callable(name: "range") { arguments in
                let numbers = try arguments.positional.map { value -> Int in
                    guard case let .int(i) = value else { throw TemplateFailure.type("'\(value.typeName)' object cannot be interpreted as an integer") }
                    return i
                }
                let (start, stop, step): (Int, Int, Int)
                switch numbers.count {
                case 1: (start, stop, step) = (0, numbers[0], 1)
                case 2: (start, stop, step) = (numbers[0], numbers[1], 1)
                case 3: (start, stop, step) = (numbers[0], numbers[1], numbers[2])
                default: throw TemplateFailure.type("range expected 1 to 3 arguments, got \(numbers.count)")
                }
                guard step != 0 else { throw TemplateFailure.type("range() arg 3 must not be zero") }
                let count = step > 0 ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
                guard count <= 100_000 else { throw TemplateFailure.limit("range too big (\(count) items; the sandbox allows 100000)") }
                return .list((0..<count).map { .int(start + $0 * step) })
            }),
        "namespace": .callable(
            Callable(name: "namespace") { arguments in
                let box = Value.DictBox()
                if let initial = arguments.positional.first, case let .dict(source) = initial {
                    for (key, value) in source.pairs { box[key] = value }
                }
                for (key, value) in arguments.keyword { box[.string(key)] = value }
                return .namespace(box)
            }),
        "dict": .callable(
            Callable(name: "dict") { arguments in
                .dict(Value.DictBox(arguments.keyword.map { (.string($0.0), $0.1) }))
            }),
        "raise_exception": .callable(
            Callable(name: "raise_exception") { arguments in
                throw TemplateFailure.raised(arguments.positional.first?.pythonString ?? "")
            }),
        "strftime_now": .callable(
            Callable(name: "strftime_now") { arguments in
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.dateFormat = strftimeToICU(arguments.positional.first?.pythonString ?? "")
                return .string(formatter.string(from: Date()))
            }),
    ]

    /// The common strftime directives as ICU date format patterns.
    private static func strftimeToICU(_ format: String) -> String {
        let map: [Character: String] = [
            "Y": "yyyy", "m": "MM", "d": "dd", "H": "HH", "M": "mm", "S": "ss",
            "B": "MMMM", "b": "MMM", "A": "EEEE", "a": "EEE", "y": "yy", "%": "%",
        ]
        var result = ""
        var iterator = format.makeIterator()
        while let character = iterator.next() {
            if character == "%", let directive = iterator.next() {
                result += map[directive] ?? "'%\(directive)'"
            } else if character.isLetter {
                result += "'\(character)'"
            } else {
                result.append(character)
            }
        }
        return result
    }
}
