import ArgumentParser
import KimiInspector

extension EngineTokenIDs.Part: ExpressibleByArgument {}
