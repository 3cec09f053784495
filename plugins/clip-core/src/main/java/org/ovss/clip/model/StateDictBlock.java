package org.ovss.clip.model;

import java.util.Map;

/** A block that can list its parameters under the OpenAI CLIP state-dict names. */
interface StateDictBlock {

  /** Adds {@code prefix + name -> parameter} for every parameter of this block and its children. */
  void stateDict(String prefix, Map<String, NamedParameter> out);
}
