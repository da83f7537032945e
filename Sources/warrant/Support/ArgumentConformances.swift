import ArgumentParser
import WarrantCore
import WarrantKit

// The library's option types, as command-line values.
extension GateLevel: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}
extension GateFormat: ExpressibleByArgument {}
