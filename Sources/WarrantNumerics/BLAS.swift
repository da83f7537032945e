import COpenBLAS
import Foundation

/// Element types BLAS and LAPACK work on: `Float` and `Double`.
public protocol BLASScalar: BinaryFloatingPoint & Sendable & Codable where Self.RawSignificand: FixedWidthInteger {
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
                     _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int,
                     _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    static func syrk(_ n: Int, _ k: Int, _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int,
                     _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    static func syevd(_ jobz: UInt8, _ uplo: UInt8, _ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32,
                      _ w: UnsafeMutablePointer<Self>, _ work: UnsafeMutablePointer<Self>, _ lwork: Int32,
                      _ iwork: UnsafeMutablePointer<Int32>, _ liwork: Int32) -> Int32
    static func gesdd(_ jobz: UInt8, _ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32,
                      _ s: UnsafeMutablePointer<Self>, _ u: UnsafeMutablePointer<Self>, _ ldu: Int32,
                      _ vt: UnsafeMutablePointer<Self>, _ ldvt: Int32, _ work: UnsafeMutablePointer<Self>, _ lwork: Int32,
                      _ iwork: UnsafeMutablePointer<Int32>) -> Int32
    /// The LAPACK routine name prefix (`s` or `d`), for error messages.
    static var lapackPrefix: String { get }
}

extension Float: BLASScalar {
    public static var lapackPrefix: String { "s" }
    public static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                            _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                            _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    public static func syrk(_ n: Int, _ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
                            _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }
    public static func syevd(_ jobz: UInt8, _ uplo: UInt8, _ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32,
                             _ w: UnsafeMutablePointer<Float>, _ work: UnsafeMutablePointer<Float>, _ lwork: Int32,
                             _ iwork: UnsafeMutablePointer<Int32>, _ liwork: Int32) -> Int32 {
        var info: Int32 = 0, n = n, lda = lda, lwork = lwork, liwork = liwork
        var j = CChar(bitPattern: jobz), u = CChar(bitPattern: uplo)
        ssyevd_(&j, &u, &n, a, &lda, w, work, &lwork, iwork, &liwork, &info, 1, 1)
        return info
    }
    public static func gesdd(_ jobz: UInt8, _ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32,
                             _ s: UnsafeMutablePointer<Float>, _ u: UnsafeMutablePointer<Float>, _ ldu: Int32,
                             _ vt: UnsafeMutablePointer<Float>, _ ldvt: Int32, _ work: UnsafeMutablePointer<Float>, _ lwork: Int32,
                             _ iwork: UnsafeMutablePointer<Int32>) -> Int32 {
        var info: Int32 = 0, m = m, n = n, lda = lda, ldu = ldu, ldvt = ldvt, lwork = lwork
        var j = CChar(bitPattern: jobz)
        sgesdd_(&j, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work, &lwork, iwork, &info, 1)
        return info
    }
}

extension Double: BLASScalar {
    public static var lapackPrefix: String { "d" }
    public static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
                            _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
                            _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    public static func syrk(_ n: Int, _ k: Int, _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int,
                            _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }
    public static func syevd(_ jobz: UInt8, _ uplo: UInt8, _ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32,
                             _ w: UnsafeMutablePointer<Double>, _ work: UnsafeMutablePointer<Double>, _ lwork: Int32,
                             _ iwork: UnsafeMutablePointer<Int32>, _ liwork: Int32) -> Int32 {
        var info: Int32 = 0, n = n, lda = lda, lwork = lwork, liwork = liwork
        var j = CChar(bitPattern: jobz), u = CChar(bitPattern: uplo)
        dsyevd_(&j, &u, &n, a, &lda, w, work, &lwork, iwork, &liwork, &info, 1, 1)
        return info
    }
    public static func gesdd(_ jobz: UInt8, _ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32,
                             _ s: UnsafeMutablePointer<Double>, _ u: UnsafeMutablePointer<Double>, _ ldu: Int32,
                             _ vt: UnsafeMutablePointer<Double>, _ ldvt: Int32, _ work: UnsafeMutablePointer<Double>, _ lwork: Int32,
                             _ iwork: UnsafeMutablePointer<Int32>) -> Int32 {
        var info: Int32 = 0, m = m, n = n, lda = lda, ldu = ldu, ldvt = ldvt, lwork = lwork
        var j = CChar(bitPattern: jobz)
        dgesdd_(&j, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work, &lwork, iwork, &info, 1)
        return info
    }
}

/// OpenBLAS's own controls.
public enum OpenBLAS {
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// The kernel OpenBLAS picked for this CPU (e.g. `Zen`, `Haswell`).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's version, build options and kernel, as it reports them
    /// (`OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64`).
    public static var configuration: String {
        String(cString: openblas_get_config()).trimmingCharacters(in: .whitespaces)
    }

    /// Kernels OpenBLAS falls back to when it does not recognise an x86-64 CPU: an older
    /// OpenBLAS on a newer CPU, or a virtual CPU that hides its model.
    static let genericCores: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "barcelona", "opteron"]

    /// A faster kernel family this CPU can run than the one OpenBLAS picked, when OpenBLAS
    /// fell back to a generic kernel; nil when it picked a specific one or nothing faster
    /// fits the CPU's flags (as in /proc/cpuinfo). AVX-512 F/CD/BW/DQ/VL run `SkylakeX`,
    /// AVX2 with FMA `Haswell`.
    public static func fasterCore(than current: String, cpuFlags: Set<String>) -> String? {
        guard genericCores.contains(current.lowercased()) else { return nil }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]) { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// The CPU's feature flags from /proc/cpuinfo (Linux), or nil.
    public static func cpuFlags() -> Set<String>? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// For an executable's first line: when OpenBLAS fell back to a generic kernel on a CPU
    /// that runs a faster one, run this process again with `OPENBLAS_CORETYPE` naming it.
    /// OpenBLAS reads that variable only when it loads, so the choice cannot be made in
    /// process. A user's own `OPENBLAS_CORETYPE` is left alone, and
    /// `WARRANT_OPENBLAS_CORETYPE=system` keeps the kernel OpenBLAS picked. Returns only when
    /// it does not re-execute (or `execv` fails, which keeps the generic kernel).
    public static func reexecWithFasterCoreIfAvailable() {
        let environment = ProcessInfo.processInfo.environment
        // Cheapest tests first: a machine whose kernel OpenBLAS recognised never reads /proc/cpuinfo.
        let current = coreName
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["WARRANT_OPENBLAS_CORETYPE"] != "system",
              genericCores.contains(current.lowercased()),
              let flags = cpuFlags(), let faster = fasterCore(than: current, cpuFlags: flags) else { return }
        setenv("OPENBLAS_CORETYPE", faster, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")
    }
}
