package org.ovss.clip.io;

/**
 * Element types of stored tensors. The constant names are the safetensors dtype strings, so {@link
 * #name()} is what a safetensors header holds.
 */
public enum TensorDType {
  F64(8),
  F32(4),
  F16(2),
  BF16(2),
  I64(8),
  I32(4),
  I16(2),
  I8(1),
  U8(1),
  BOOL(1);

  private final int byteSize;

  TensorDType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** Whether elements are integers (BOOL counts as one: it reads as 0 or 1). */
  public boolean isInteger() {
    return this != F64 && this != F32 && this != F16 && this != BF16;
  }

  /**
   * The dtype a safetensors header names, e.g. {@code "F32"}.
   *
   * @throws TensorFormatException for a dtype this reader does not support (e.g. {@code "F8_E4M3"})
   */
  public static TensorDType fromSafetensors(String s) {
    for (TensorDType t : values()) {
      if (t.name().equals(s)) {
        return t;
      }
    }
    throw new TensorFormatException("unsupported dtype '" + s + "'");
  }
}
