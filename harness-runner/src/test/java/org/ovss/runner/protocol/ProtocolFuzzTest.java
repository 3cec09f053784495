package org.ovss.runner.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ovss.api.OvssException;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the protocol parser: a protocol file ({@code extends}, per-dataset overrides, every field), with and
 * without command-line overrides, must resolve or be refused with an {@link OvssException} (the CLI prints those as one
 * line); any other exception is a finding. Seeds and past findings lie in
 * {@code ProtocolFuzzTestInputs/resolvesOrRefuses/}.
 */
class ProtocolFuzzTest {
  @TempDir static Path dir;
  private static final List<Map<String, String>> OVERRIDES =
      List.of(Map.of(), Map.of("crop", "64", "pamr", "iterations=2;dilations=1"), Map.of("mode", "whole", "bgThreshold", "off"));

  @FuzzTest(maxDuration = "5s")
  void resolvesOrRefuses(byte[] protocolFile) throws IOException {
    Files.write(dir.resolve("input"), protocolFile);
    for (Map<String, String> overrides : OVERRIDES) {
      try {
        Protocols.resolve(dir.resolve("input").toString(), "voc21", overrides);
      } catch (OvssException expected) {
        // refused with a message
      }
    }
  }
}
