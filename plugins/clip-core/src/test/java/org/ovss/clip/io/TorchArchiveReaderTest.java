package org.ovss.clip.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ovss.clip.io.TestFiles.floatsLe;
import static org.ovss.clip.io.TestFiles.torchArchive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchArchiveReaderTest {

  @TempDir Path dir;

  @Test
  void torchScriptArchiveMatchesSafetensorsExport() {
    Path parity = TestFiles.parityDir();
    try (TorchArchiveReader jit = TorchArchiveReader.open(parity.resolve("weights-openai-jit.pt"));
        SafetensorsReader st =
            SafetensorsReader.open(parity.resolve("weights-openai.safetensors"))) {
      assertThat(jit.names())
          .contains(
              "visual.transformer.resblocks.0.attn.in_proj_weight",
              "positional_embedding",
              "logit_scale")
          .noneMatch(n -> n.endsWith("training") || n.contains("_is_full_backward_hook"));
      assertThat(new HashSet<>(jit.names())).isEqualTo(new HashSet<>(st.names()));
      for (String name : st.names()) {
        assertThat(jit.info(name)).as(name).isEqualTo(st.info(name));
        assertThat(Arrays.equals(jit.readFloats(name), st.readFloats(name))).as(name).isTrue();
      }
      assertThat(jit.metadata()).isEmpty();
    }
  }

  @Test
  void checkpointDictOfOrderedDict() throws IOException {
    // torch.save({'model': OrderedDict(w=<2x3 float>, n=<3 long>), 'epoch': 5}), with the
    // state_dict's _metadata attribute restored by BUILD
    PickleWriter p = new PickleWriter().proto(2).emptyDict().binput(0).mark();
    p.str("model").global("collections", "OrderedDict").emptyTuple().reduce().binput(1).mark();
    p.str("w").floatTensor("0", 2, 3);
    p.str("n").tensor("LongStorage", "1", 3, 0, new long[] {3}, new long[] {1});
    p.setItems().emptyDict().str("_metadata").emptyDict().setItem().build();
    p.str("epoch").integer(5).setItems().stop();
    Path f =
        torchArchive(
            dir.resolve("ckpt.pth"),
            "archive",
            p.bytes(),
            Map.of("0", floatsLe(1, 2, 3, 4, 5, 6), "1", TestFiles.longsLe(-1, 0, 1L << 35)));
    try (TorchArchiveReader r = TorchArchiveReader.open(f)) {
      assertThat(r.names()).containsExactly("model.w", "model.n");
      assertThat(r.info("model.w"))
          .isEqualTo(new TensorInfo("model.w", TensorDType.F32, new long[] {2, 3}));
      assertThat(r.readFloats("model.w")).containsExactly(1, 2, 3, 4, 5, 6);
      assertThat(r.info("model.n").dtype()).isEqualTo(TensorDType.I64);
      assertThat(r.readLongs("model.n")).containsExactly(-1, 0, 1L << 35);
      assertThatThrownBy(() -> r.readLongs("model.w"))
          .isInstanceOf(TensorFormatException.class)
          .hasMessageContaining(f.toString())
          .hasMessageContaining("tensor 'model.w'");
      assertThatThrownBy(() -> r.readFloats("model.x"))
          .isInstanceOf(TensorFormatException.class)
          .hasMessageContaining(f.toString())
          .hasMessageContaining("tensor 'model.x'");
    }
  }

  @Test
  void stridedViewsAreGatheredInCOrder() throws IOException {
    // storage 0 holds 0..7; views: transpose, offset slice, broadcast (stride 0), a parameter,
    // and a list; storage 1 holds float16 bits
    PickleWriter p = new PickleWriter().proto(2).emptyDict().mark();
    p.str("t").tensor("FloatStorage", "0", 8, 0, new long[] {3, 2}, new long[] {1, 3});
    p.str("slice").tensor("FloatStorage", "0", 8, 2, new long[] {2, 2}, new long[] {2, 1});
    p.str("bcast").tensor("FloatStorage", "0", 8, 5, new long[] {2, 3}, new long[] {0, 1});
    p.str("param").global("torch._utils", "_rebuild_parameter").mark();
    p.tensor("FloatStorage", "0", 8, 7, new long[] {1}, new long[] {1});
    p.op(0x88).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    p.str("layers").op(']').mark();
    p.tensor("HalfStorage", "1", 2, 0, new long[] {2}, new long[] {1});
    p.tensor("HalfStorage", "1", 2, 1, new long[] {}, new long[] {});
    p.op('e').setItems().stop();
    Map<String, byte[]> storages =
        Map.of("0", floatsLe(0, 1, 2, 3, 4, 5, 6, 7), "1", TestFiles.shortsLe(0x3c00, 0xc000));
    Path f = torchArchive(dir.resolve("views.pt"), "views", p.bytes(), storages);
    try (TorchArchiveReader r = TorchArchiveReader.open(f)) {
      assertThat(r.names()).containsExactly("t", "slice", "bcast", "param", "layers.0", "layers.1");
      assertThat(r.readFloats("t")).containsExactly(0, 3, 1, 4, 2, 5);
      assertThat(r.readFloats("slice")).containsExactly(2, 3, 4, 5);
      assertThat(r.readFloats("bcast")).containsExactly(5, 6, 7, 5, 6, 7);
      assertThat(r.readFloats("param")).containsExactly(7);
      assertThat(r.info("layers.0").dtype()).isEqualTo(TensorDType.F16);
      assertThat(r.readFloats("layers.0")).containsExactly(1, -2);
      assertThat(r.info("layers.1").shape()).isEmpty();
      assertThat(r.readFloats("layers.1")).containsExactly(-2);
    }
  }

  @Test
  void protocolFourOpcodes() throws IOException {
    // what pickle protocol 4 emits for {'a': t, 'b': [t]} with t of shape (1, 1, 2): FRAME,
    // MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL, TUPLE1/TUPLE3, and a memoized tensor reused
    PickleWriter p = new PickleWriter().proto(4).op(0x95);
    for (int i = 0; i < 8; i++) {
      p.op(0); // the frame length, which is only a read-ahead hint
    }
    p.emptyDict().op(0x94).mark().shortStr("a"); // memo 0: the dict
    p.shortStr("torch._utils").shortStr("_rebuild_tensor_v2").op(0x93).op(0x94); // memo 1
    p.mark().mark().shortStr("storage").shortStr("torch").shortStr("FloatStorage").op(0x93);
    p.shortStr("k").shortStr("cpu").integer(2).tuple().op('Q');
    p.integer(0).integer(1).integer(1).integer(2).op(0x87).integer(2).integer(2).integer(1);
    p.op(0x87).op(0x89).shortStr("collections").shortStr("OrderedDict").op(0x93);
    p.emptyTuple().reduce().tuple().reduce().op(0x94); // memo 2: the tensor
    p.shortStr("b").op(']').binget(2).op('a').setItems().stop();
    Path f = torchArchive(dir.resolve("p4.pt"), "archive", p.bytes(), Map.of("k", floatsLe(8, 9)));
    try (TorchArchiveReader r = TorchArchiveReader.open(f)) {
      assertThat(r.names()).containsExactly("a", "b.0");
      assertThat(r.info("a").shape()).containsExactly(1, 1, 2);
      assertThat(r.readFloats("a")).containsExactly(8, 9);
      assertThat(r.readFloats("b.0")).containsExactly(8, 9);
    }
  }

  @Test
  void refusesNonWhitelistedGlobal() throws IOException {
    byte[] evil =
        new PickleWriter()
            .proto(2)
            .global("os", "system")
            .str("touch pwned")
            .op(0x85)
            .reduce()
            .stop()
            .bytes();
    Path f = torchArchive(dir.resolve("evil.pt"), "archive", evil, Map.of());
    assertRejected(f).hasMessageContaining("'os.system'").hasMessageContaining("refused");
    assertThat(dir.resolve("pwned")).doesNotExist();
  }

  @Test
  void refusesNonWhitelistedStackGlobal() throws IOException {
    byte[] evil =
        new PickleWriter()
            .proto(4)
            .shortStr("builtins")
            .shortStr("eval")
            .op(0x93)
            .shortStr("1+1")
            .op(0x85)
            .reduce()
            .stop()
            .bytes();
    Path f = torchArchive(dir.resolve("eval.pt"), "archive", evil, Map.of());
    assertRejected(f).hasMessageContaining("'builtins.eval'");
  }

  @Test
  void protocolTwoBytesValuesAreDecodedNotCalled() throws IOException {
    // protocol 2 has no bytes opcode: pickle writes b'xy' as _codecs.encode('xy', 'latin1')
    PickleWriter p = new PickleWriter().proto(2).emptyDict().mark().str("extra");
    p.global("_codecs", "encode").str("xy").str("latin1").op(0x86).reduce();
    p.str("w").floatTensor("0", 1).setItems().stop();
    Path f = torchArchive(dir.resolve("bytes.pt"), "archive", p.bytes(), Map.of("0", floatsLe(5)));
    try (TorchArchiveReader r = TorchArchiveReader.open(f)) {
      assertThat(r.names()).containsExactly("w");
    }
    PickleWriter other = new PickleWriter().proto(2).global("_codecs", "encode").str("x");
    other.str("rot13").op(0x86).reduce().stop();
    Path g = torchArchive(dir.resolve("rot.pt"), "archive", other.bytes(), Map.of());
    assertRejected(g).hasMessageContaining("_codecs.encode supported only as (str, 'latin1')");
  }

  @Test
  void refusesTruncatedPickle() throws IOException {
    byte[] full =
        new PickleWriter()
            .proto(2)
            .emptyDict()
            .str("w")
            .floatTensor("0", 2)
            .setItem()
            .stop()
            .bytes();
    byte[] cut = Arrays.copyOf(full, full.length / 2);
    Path f = torchArchive(dir.resolve("cut.pt"), "archive", cut, Map.of("0", floatsLe(1, 2)));
    assertRejected(f).hasMessageContaining("archive/data.pkl is truncated");
  }

  @Test
  void refusesPickleWithoutStop() throws IOException {
    byte[] noStop = new PickleWriter().proto(2).emptyDict().bytes();
    Path f = torchArchive(dir.resolve("nostop.pt"), "archive", noStop, Map.of());
    assertRejected(f).hasMessageContaining("truncated");
  }

  @Test
  void refusesUnknownOpcode() throws IOException {
    byte[] bad = new PickleWriter().proto(2).op(0xff).stop().bytes();
    Path f = torchArchive(dir.resolve("op.pt"), "archive", bad, Map.of());
    assertRejected(f).hasMessageContaining("unsupported pickle opcode 0xff");
  }

  @Test
  void refusesMissingStorageEntry() throws IOException {
    byte[] pkl =
        new PickleWriter()
            .proto(2)
            .emptyDict()
            .str("w")
            .floatTensor("7", 2)
            .setItem()
            .stop()
            .bytes();
    Path f = torchArchive(dir.resolve("nostorage.pt"), "archive", pkl, Map.of());
    assertRejected(f).hasMessageContaining("storage entry archive/data/7 is missing");
  }

  @Test
  void refusesShortStorageEntry() throws IOException {
    byte[] pkl =
        new PickleWriter()
            .proto(2)
            .emptyDict()
            .str("w")
            .floatTensor("0", 4)
            .setItem()
            .stop()
            .bytes();
    Path f = torchArchive(dir.resolve("short.pt"), "archive", pkl, Map.of("0", floatsLe(1, 2)));
    assertRejected(f).hasMessageContaining("archive/data/0 has 8 bytes, fewer than the 16");
  }

  @Test
  void refusesViewBeyondItsStorage() throws IOException {
    PickleWriter p = new PickleWriter().proto(2).emptyDict().str("w");
    p.tensor("FloatStorage", "0", 4, 1, new long[] {2, 2}, new long[] {2, 1}).setItem().stop();
    Path f =
        torchArchive(
            dir.resolve("view.pt"), "archive", p.bytes(), Map.of("0", floatsLe(1, 2, 3, 4)));
    assertRejected(f).hasMessageContaining("reaches element 4 of 4");
  }

  @Test
  void refusesArchiveWithoutDataPickle() throws IOException {
    Path f = dir.resolve("empty.zip");
    try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(f))) {
      zip.putNextEntry(new java.util.zip.ZipEntry("archive/version"));
      zip.closeEntry();
    }
    assertRejected(f).hasMessageContaining("data.pkl");
  }

  @Test
  void refusesNonZip() throws IOException {
    Path f = Files.write(dir.resolve("junk.pt"), new byte[] {1, 2, 3, 4, 5});
    assertRejected(f).hasMessageContaining("not a valid zip archive");
  }

  @Test
  void torchScriptObjectsNameTensorsByAttribute() throws IOException {
    // torch.jit.save layout: __torch__ objects built from attribute dicts, with non-tensor
    // attributes (training, hooks) that are skipped
    PickleWriter p = new PickleWriter().proto(2).global("__torch__", "Model").emptyTuple().op(0x81);
    p.emptyDict().mark().str("training").op(0x89);
    p.str("blocks").global("__torch__.torch.nn.modules.container", "ModuleList").emptyTuple();
    p.op(0x81).emptyDict().mark().str("0").global("__torch__.___torch_mangle_1", "Linear");
    p.emptyTuple().op(0x81).emptyDict().mark().str("weight").floatTensor("0", 2);
    p.str("_is_full_backward_hook").op('N').setItems().build().setItems().build();
    p.setItems().build().stop();
    Path f = torchArchive(dir.resolve("ts.pt"), "ts", p.bytes(), Map.of("0", floatsLe(3, 4)));
    try (TensorFile r = TensorFile.open(f)) {
      assertThat(r).isInstanceOf(TorchArchiveReader.class);
      assertThat(r.names()).containsExactly("blocks.0.weight");
      assertThat(r.readFloats("blocks.0.weight")).containsExactly(3, 4);
    }
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(Path f) {
    return assertThatThrownBy(() -> TorchArchiveReader.open(f).close())
        .isInstanceOf(TensorFormatException.class)
        .hasMessageStartingWith(f + ": ");
  }
}
