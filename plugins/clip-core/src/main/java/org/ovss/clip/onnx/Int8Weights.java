package org.ovss.clip.onnx;

/**
 * A linear layer's weight [out, in] quantised symmetrically per output channel: q = round(w / s) in [-127, 127]
 * with s = max|w| / 127 over the channel's row (s = 1 for an all-zero row), so w ~ q s.
 *
 * @param values the int8 weights [out, in], row-major as the float weight
 * @param scales one scale per output channel
 */
record Int8Weights(byte[] values, float[] scales, int out, int in) {

  static Int8Weights quantize(float[] weight, int out, int in) {
    if (weight.length != out * in) {
      throw new IllegalArgumentException(weight.length + " weights for [" + out + ", " + in + "]");
    }
    byte[] q = new byte[weight.length];
    float[] scales = new float[out];
    for (int o = 0; o < out; o++) {
      float max = 0;
      for (int i = 0; i < in; i++) {
        max = Math.max(max, Math.abs(weight[o * in + i]));
      }
      float s = max == 0 ? 1f : max / 127f;
      scales[o] = s;
      for (int i = 0; i < in; i++) {
        q[o * in + i] = (byte) Math.max(-127, Math.min(127, Math.round(weight[o * in + i] / s)));
      }
    }
    return new Int8Weights(q, scales, out, in);
  }

  /** The int8 weights as the [in, out] right operand of a MatMulInteger. */
  byte[] transposed() {
    byte[] t = new byte[values.length];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        t[i * out + o] = values[o * in + i];
      }
    }
    return t;
  }
}
