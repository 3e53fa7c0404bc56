// Tensor.swift: the float32 tensor of Diptych. A shape and a flat, row-major, 64-byte aligned
// buffer, in the spirit of llm.c's flat buffers: layers read and write raw pointers, and a
// parameter slab hands out named views into one contiguous allocation.

#if canImport(Glibc)
import Glibc
#endif

/// A float32 tensor with a row-major shape. Reference semantics: a layer writes into the buffers
/// it is given. A view shares its parent's memory and keeps the parent alive.
public final class Tensor: @unchecked Sendable {
    /// Sizes of each dimension, outermost first.
    public let shape: [Int]
    /// Number of elements (product of the shape).
    public let count: Int
    /// First element. Valid for `count` elements while this tensor lives.
    public let data: UnsafeMutablePointer<Float>
    private let parent: Tensor?

    /// Bytes from which a buffer is mapped from the kernel (zero pages, committed only when touched)
    /// instead of allocated and zeroed: buffers sized for the largest batch, or gradient slabs that
    /// inference never writes, then cost no memory.
    static let mappedFrom = 1 << 20
    /// The mapped length, or 0 for an allocated buffer.
    private let mappedBytes: Int

    /// A new zero-filled tensor.
    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        let bytes = max(self.count, 1) * MemoryLayout<Float>.stride
        if bytes >= Self.mappedFrom,
           let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED {
            self.data = p.assumingMemoryBound(to: Float.self)   // page-aligned, zero-filled by the kernel
            self.mappedBytes = bytes
        } else {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            raw.initializeMemory(as: Float.self, repeating: 0, count: max(self.count, 1))
            self.data = raw.assumingMemoryBound(to: Float.self)
            self.mappedBytes = 0
        }
        self.parent = nil
    }

    /// A new tensor holding a copy of `values` (which must have `shape`'s element count).
    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    /// A view of `shape` starting `offset` elements into `parent`'s buffer.
    public init(viewOf parent: Tensor, offset: Int, shape: [Int]) {
        let n = shape.reduce(1, *)
        precondition(offset >= 0 && offset + n <= parent.count, "view \(offset)+\(n) outside \(parent.count)")
        self.shape = shape
        self.count = n
        self.data = parent.data + offset
        self.parent = parent
        self.mappedBytes = 0
    }

    deinit {
        if mappedBytes > 0 {
            munmap(UnsafeMutableRawPointer(data), mappedBytes)
        } else if parent == nil {
            UnsafeMutableRawPointer(data).deallocate()
        }
    }

    /// The same memory seen with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(viewOf: self, offset: 0, shape: newShape)
    }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: data, count: count) }

    public subscript(i: Int) -> Float {
        get { data[i] }
        set { data[i] = newValue }
    }

    public func fill(_ value: Float) { data.update(repeating: value, count: count) }
    public func zero() { fill(0) }

    /// Copies `other`'s elements (same count) into this tensor.
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy of \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    /// A new tensor with the same shape and a copy of the values.
    public func clone() -> Tensor {
        let t = Tensor(shape: shape)
        t.copy(from: self)
        return t
    }

    public func toArray() -> [Float] { Array(buffer) }
}
