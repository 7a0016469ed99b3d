package io.fileflux.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * An open file seen as a callback-driven block device: reads and writes are submitted at explicit
 * 64-bit positions and complete later through an {@link IoCallback}. The device keeps no file
 * position of its own.
 *
 * <p>Threading: every method may be called from any thread, including from inside a completion
 * callback. Callbacks run on the engine's thread and must not block.
 *
 * <p>Ownership: a buffer handed to {@link #read} or {@link #write} belongs to the engine until that
 * operation's callback has run — whether it completed, failed or was cancelled. The caller must not
 * touch, pool or free it before. The handle is closed by {@link #closeAsync()} only after every
 * operation in flight has completed.
 */
public interface FileDevice {

    /** The path this device was opened from. */
    Path path();

    /** The stable identity of the opened file (dev+inode, volume serial+file index). */
    FileIdentity identity();

    /** The engine that opened this device. */
    FileEngine engine();

    /** The file's current size in bytes. */
    long size() throws IOException;

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code position} into {@code dst}. On completion
     * {@code dst.position()} has advanced by the count passed to {@link IoCallback#completed(int)};
     * a count of 0 for a non-empty buffer means end of file.
     *
     * @throws IllegalArgumentException if {@code position} is negative, {@code dst} is read-only or
     *                                  has no space remaining
     * @throws IllegalStateException if the device is closing or closed
     */
    IoOperation read(ByteBuffer dst, long position, IoCallback callback);

    /**
     * Reads now, on the calling thread, what the operating system's page cache already holds at
     * {@code position}, without waiting for a disk or a lock: returns the count read ({@code dst.position()}
     * advanced by it; 0 means end of file), or -1 when nothing could be read without waiting or the engine
     * has no such read (nothing read: submit with {@link #read}). For a caller that would otherwise wait
     * for the completion of a small read of bytes just written (a tail): it saves the trip through the
     * engine's threads. The io_uring engine answers with {@code preadv2(RWF_NOWAIT)} on buffered regular
     * files; the other engines, direct-I/O files and FIFOs always return -1.
     *
     * @throws IllegalArgumentException as {@link #read}
     * @throws IllegalStateException if the device is closing or closed
     * @throws IOException if the read failed (not for "would have to wait")
     */
    int readCached(ByteBuffer dst, long position) throws IOException;

    /**
     * Writes up to {@code src.remaining()} bytes at {@code position} from {@code src}. On completion
     * {@code src.position()} has advanced by the count written; a short count is not an error, the
     * caller continues from where it stopped.
     *
     * @throws IllegalArgumentException if {@code position} is negative or {@code src} is empty
     * @throws IllegalStateException if the device is closing, closed or not opened for writing
     */
    IoOperation write(ByteBuffer src, long position, IoCallback callback);

    /**
     * Flushes written data to stable storage: {@code fsync} when {@code metadata} is true,
     * {@code fdatasync} otherwise. The callback receives 0 on success.
     */
    IoOperation sync(boolean metadata, IoCallback callback);

    /** Operations submitted on this device whose callback has not run yet. */
    int inFlight();

    /** True once {@link #closeAsync()} was called. */
    boolean isClosing();

    /**
     * Stops accepting operations and closes the handle once the last operation in flight has
     * completed. Safe to call more than once; every call returns the same future, which completes
     * when the handle is closed.
     */
    CompletableFuture<Void> closeAsync();
}
