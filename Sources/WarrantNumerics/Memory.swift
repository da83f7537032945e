import CKernels

/// Process-wide allocator settings for training loops.
public enum Memory {
    /// Training allocates and frees buffers of tens of megabytes every step. glibc serves
    /// those by mmap and returns them to the system on free, so each step paid for fresh
    /// zeroed pages (page faults and kernel clears, several percent of an SAE step). Raising
    /// the mmap and trim thresholds keeps freed buffers in the heap for the next step.
    /// Results are unchanged; the process keeps its peak heap until it exits.
    public static func keepLargeBuffers() {
        warrant_keep_large_buffers()
    }
}
