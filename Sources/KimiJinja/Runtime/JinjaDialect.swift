/// Whose Jinja semantics a template is rendered with. Templates are written for Python's
/// jinja2 (transformers' environment); llama.cpp renders them with its own C++ engine, which
/// differs where the recorded data shows it (`../shared/engines/llama.cpp`):
///
/// - **Printing a value** (`{{ x }}`): a list prints its items one after another (lists inside
///   it the same way), a string as itself, a number or boolean as Python prints it, and
///   nothing for `none`, undefined, a dict or anything else. jinja2 prints `str(x)`: a list of
///   text parts prints as its Python repr, `none` as `None`.
public enum JinjaDialect: String, Sendable, CaseIterable {
    /// jinja2, as transformers runs it: the reference.
    case python
    /// llama.cpp's Jinja engine (build 11434).
    case llamaCpp = "llama.cpp"
}
