package org.ovss.runner.eval;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Loads item i+1 on a background thread while the caller works on item i, so that decoding and resizing
 * hide behind the forward. The loader must not touch NDArrays: PyTorch's no-grad mode is per thread and
 * DJL sets it on the thread that starts the engine, which is the caller's.
 */
public final class Prefetcher<S, T> implements AutoCloseable {
  private final List<S> items;
  private final Function<S, T> loader;
  private final ExecutorService thread;
  private Future<T> ahead;
  private int next;

  /** @param background whether to load ahead on a thread; otherwise each item is loaded when asked for */
  public Prefetcher(List<S> items, Function<S, T> loader, boolean background) {
    this.items = items;
    this.loader = loader;
    this.thread = background ? Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ovss-prefetch");
      t.setDaemon(true);
      return t;
    }) : null;
    if (thread != null && !items.isEmpty()) {
      ahead = submit(0);
    }
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
    Future<T> current = ahead;
    ahead = next < items.size() ? submit(next) : null;
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

  private Future<T> submit(int i) {
    S item = items.get(i);
    return thread.submit(() -> loader.apply(item));
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.shutdownNow();
    }
  }
}
