package org.ovss.clip.model;

import ai.djl.nn.Parameter;

/** Small helpers shared by the CLIP blocks. */
final class Blocks {
  private Blocks() {}

  static Parameter weight(String name) {
    return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
  }

  static Parameter bias(String name) {
    return Parameter.builder().setName(name).setType(Parameter.Type.BIAS).build();
  }

  static Parameter gamma(String name) {
    return Parameter.builder().setName(name).setType(Parameter.Type.GAMMA).build();
  }

  static Parameter beta(String name) {
    return Parameter.builder().setName(name).setType(Parameter.Type.BETA).build();
  }
}
