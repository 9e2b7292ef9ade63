// The template language is a module of its own; every user of chat formats also works with its
// values (`Value`, `Template`, `RenderLimits`) and catches `KimiError`, so both come with this
// module.
@_exported import KimiIO
@_exported import KimiJinja
