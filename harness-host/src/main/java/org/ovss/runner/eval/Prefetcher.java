package org.ovss.runner.eval;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Loads the next items (up to {@code depth} ahead) on a background thread while the caller works on the current
 * ones, so that decoding and resizing hide behind the forward. The loader must not touch NDArrays: PyTorch's no-grad mode is per thread and
 * DJL sets it on the thread that starts the engine, which is the caller's.
 */
public final class Prefetcher<S, T> implements AutoCloseable {
  private final List<S> items;
  private final Function<S, T> loader;
  private final ExecutorService thread;
  private final int depth;
  private final Deque<Future<T>> ahead = new ArrayDeque<>();
  private int next;
  private int submitted;

  /**
   * @param background whether to load ahead on a thread; otherwise each item is loaded when asked for
   * @param depth how many items to keep loading ahead of the caller
   */
  public Prefetcher(List<S> items, Function<S, T> loader, boolean background, int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be at least 1, got " + depth);
    }
    this.items = items;
    this.loader = loader;
    this.depth = depth;
    this.thread = background ? Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ovss-prefetch");
      t.setDaemon(true);
      return t;
    }) : null;
    fill();
  }

  public boolean hasNext() {
    return next < items.size();
  }

  /** The next item, loaded; a loader's exception is rethrown as is. */
  public T next() {
    int i = next++;
    if (thread == null) {
      return loader.apply(items.get(i));
    }
    Future<T> current = ahead.poll();
    fill();
    try {
      return current.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading " + items.get(i), e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Keeps the items [next, next + depth) loading or loaded. */
  private void fill() {
    if (thread == null) {
      return;
    }
    while (submitted < items.size() && submitted < next + depth) {
      S item = items.get(submitted++);
      ahead.add(thread.submit(() -> loader.apply(item)));
    }
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.shutdownNow();
    }
  }
}
