package org.ovss.clip.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The protobuf wire format against bytes worked out by hand from the encoding rules. */
class ProtoMessageTest {

  private static byte[] bytes(ProtoMessage m) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeTo(out);
    assertThat(out.size()).as("size() agrees with the bytes written").isEqualTo(m.size());
    return out.toByteArray();
  }

  @Test
  void scalarsStringsAndNestedMessages() throws Exception {
    // field 1 varint 300: tag 0x08, 300 = 0b10_0101100 -> AC 02
    assertThat(bytes(new ProtoMessage().varint(1, 300))).containsExactly(0x08, 0xAC, 0x02);
    // field 2 fixed32 1.0f: tag 0x15, 0x3F800000 little-endian
    assertThat(bytes(new ProtoMessage().float32(2, 1f))).containsExactly(0x15, 0x00, 0x00, 0x80, 0x3F);
    // field 8 string "ab": tag (8 << 3 | 2) = 0x42, length 2
    assertThat(bytes(new ProtoMessage().string(8, "ab"))).containsExactly(0x42, 0x02, 'a', 'b');
    // field 7 message {field 1 varint 1}: tag 0x3A, length 2, 08 01
    assertThat(bytes(new ProtoMessage().message(7, new ProtoMessage().varint(1, 1)))).containsExactly(0x3A, 0x02, 0x08, 0x01);
    // a negative int64 takes ten bytes
    assertThat(bytes(new ProtoMessage().varint(1, -1))).hasSize(11).endsWith(0x01);
  }

  @Test
  void packedInt64AndRawFloats() throws Exception {
    // field 1 packed [3, 270]: tag 0x0A, length 3, 03 8E 02
    assertThat(bytes(new ProtoMessage().packedInt64(1, new long[] {3, 270}))).containsExactly(0x0A, 0x03, 0x03, 0x8E, 0x02);
    // raw_data (field 9) of two floats: tag 0x4A, length 8, little-endian 1.0f and -2.0f (0xC0000000)
    assertThat(bytes(new ProtoMessage().floatsRaw(9, new float[] {1f, -2f})))
        .containsExactly(0x4A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0);
    // a float block longer than the write buffer keeps every value in order
    float[] many = new float[40_000];
    for (int i = 0; i < many.length; i++) {
      many[i] = i;
    }
    byte[] b = bytes(new ProtoMessage().floatsRaw(9, many));
    int last = b.length - 4;
    int bits = (b[last] & 0xFF) | (b[last + 1] & 0xFF) << 8 | (b[last + 2] & 0xFF) << 16 | (b[last + 3] & 0xFF) << 24;
    assertThat(Float.intBitsToFloat(bits)).isEqualTo(39_999f);
  }
}
