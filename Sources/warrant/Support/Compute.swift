import WarrantNumerics

/// Lets OpenBLAS use the fastest kernels this CPU has (re-executing Warrant once with
/// `OPENBLAS_CORETYPE` set when the library fell back to generic ones). Only commands
/// that compute call it, first thing, before they print or write anything: a re-exec
/// costs a few milliseconds, which `check` and `gate` should not pay.
func useFastestBLASKernels() {
    OpenBLAS.reexecWithFasterCoreIfAvailable()
}
