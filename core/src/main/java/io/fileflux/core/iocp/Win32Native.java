package io.fileflux.core.iocp;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.WString;

/**
 * Every native function the IOCP engine calls, and nothing else: JNA direct mappings of kernel32 (and
 * one ntdll helper) with handles and pointers passed as raw {@code long} addresses of native memory that
 * the engine owns. Names and parameter names follow the Windows SDK. {@code BOOL} results are
 * {@code int} (non-zero is TRUE); after a FALSE, read the error with {@link #lastError()} on the same
 * thread, right away.
 *
 * <p>Loading this class registers the natives, which only works on Windows: everything that may run
 * elsewhere (tests of the completion handling, the provider's probe) must not touch it.
 */
final class Win32Native {

    static {
        Native.register(Win32Native.class, NativeLibrary.getInstance("kernel32"));
        Ntdll.init();
    }

    private Win32Native() {
    }

    /** Forces the natives to load; throws {@link UnsatisfiedLinkError} where kernel32 is missing. */
    static void load() {
        // the static initializer did the work
    }

    /** {@code GetLastError()} of the calling thread, as JNA saved it after the last native call. */
    static int lastError() {
        return Native.getLastError();
    }

    static native long CreateFileW(WString lpFileName, int dwDesiredAccess, int dwShareMode,
                                   long lpSecurityAttributes, int dwCreationDisposition,
                                   int dwFlagsAndAttributes, long hTemplateFile);

    static native long CreateIoCompletionPort(long FileHandle, long ExistingCompletionPort,
                                              long CompletionKey, int NumberOfConcurrentThreads);

    static native int SetFileCompletionNotificationModes(long FileHandle, byte Flags);

    static native int ReadFile(long hFile, long lpBuffer, int nNumberOfBytesToRead,
                               long lpNumberOfBytesRead, long lpOverlapped);

    static native int WriteFile(long hFile, long lpBuffer, int nNumberOfBytesToWrite,
                                long lpNumberOfBytesWritten, long lpOverlapped);

    static native int GetQueuedCompletionStatusEx(long CompletionPort, long lpCompletionPortEntries,
                                                  int ulCount, long ulNumEntriesRemoved,
                                                  int dwMilliseconds, int fAlertable);

    static native int PostQueuedCompletionStatus(long CompletionPort, int dwNumberOfBytesTransferred,
                                                 long dwCompletionKey, long lpOverlapped);

    static native int CancelIoEx(long hFile, long lpOverlapped);

    static native int GetFileInformationByHandle(long hFile, long lpFileInformation);

    static native int GetFileSizeEx(long hFile, long lpFileSize);

    static native int GetFileType(long hFile);

    static native int FlushFileBuffers(long hFile);

    static native int CloseHandle(long hObject);

    /** ntdll's status translation, for NTSTATUS values {@link Win32#knownNtStatusToWin32} does not know. */
    static int ntStatusToWin32(int status) {
        int known = Win32.knownNtStatusToWin32(status);
        return known >= 0 ? known : Ntdll.RtlNtStatusToDosError(status);
    }

    /** The one ntdll function, kept apart because direct mapping registers one library per class. */
    static final class Ntdll {
        static {
            Native.register(Ntdll.class, NativeLibrary.getInstance("ntdll"));
        }

        private Ntdll() {
        }

        static void init() {
            // the static initializer did the work
        }

        static native int RtlNtStatusToDosError(int Status);
    }
}
