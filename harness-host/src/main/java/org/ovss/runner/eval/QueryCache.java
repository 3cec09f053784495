package org.ovss.runner.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.ovss.api.ClassPrompt;
import org.ovss.api.QueryEmbeddings;

/**
 * Text embeddings of one opened method per vocabulary and prompt set: encoding 171 classes x 80 templates
 * costs more than many images, and every evaluation of the same method on the same vocabulary needs the same
 * embeddings. The embeddings live in the method's manager, so a cache must not outlive its method.
 */
public final class QueryCache {
  private record Key(List<ClassPrompt> classes, String prompts) {}

  private final Map<Key, QueryEmbeddings> entries = new HashMap<>();

  public synchronized QueryEmbeddings get(List<ClassPrompt> classes, String prompts, Supplier<QueryEmbeddings> encode) {
    return entries.computeIfAbsent(new Key(List.copyOf(classes), prompts), k -> encode.get());
  }
}
