package io.fileflux.core.iocp;

/**
 * Win32 constants, structure layouts (x64) and error names used by the IOCP engine. Plain Java: nothing
 * here loads a native library, so it is usable (and unit-tested) on every OS. Names are kept exactly as
 * in the Windows SDK headers so they can be grepped against the documentation.
 */
final class Win32 {

    private Win32() {
    }

    // ---- handles and CreateFileW (fileapi.h, winnt.h) ----

    /** {@code INVALID_HANDLE_VALUE}: what CreateFileW returns on failure. */
    static final long INVALID_HANDLE_VALUE = -1L;

    static final int GENERIC_READ = 0x80000000;
    static final int GENERIC_WRITE = 0x40000000;

    static final int FILE_SHARE_READ = 0x1;
    static final int FILE_SHARE_WRITE = 0x2;
    static final int FILE_SHARE_DELETE = 0x4;

    static final int CREATE_NEW = 1;
    static final int CREATE_ALWAYS = 2;
    static final int OPEN_EXISTING = 3;
    static final int OPEN_ALWAYS = 4;
    static final int TRUNCATE_EXISTING = 5;

    static final int FILE_ATTRIBUTE_DIRECTORY = 0x10;
    static final int FILE_ATTRIBUTE_NORMAL = 0x80;
    static final int FILE_FLAG_WRITE_THROUGH = 0x80000000;
    static final int FILE_FLAG_OVERLAPPED = 0x40000000;
    static final int FILE_FLAG_NO_BUFFERING = 0x20000000;
    static final int FILE_FLAG_OPEN_REPARSE_POINT = 0x00200000;

    /** SetFileCompletionNotificationModes: no packet is queued when the call itself succeeds. */
    static final byte FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = 0x1;
    /** SetFileCompletionNotificationModes: the file handle is not signalled on completion. */
    static final byte FILE_SKIP_SET_EVENT_ON_HANDLE = 0x2;

    /** GetFileType: a disk file. */
    static final int FILE_TYPE_DISK = 1;

    /** GetQueuedCompletionStatusEx timeout meaning "wait forever". */
    static final int INFINITE = 0xFFFFFFFF;

    // ---- OVERLAPPED (minwinbase.h), x64: 32 bytes ----

    /** {@code ULONG_PTR Internal}: the NTSTATUS of the operation ({@code STATUS_PENDING} while in flight). */
    static final int OVERLAPPED_Internal = 0;
    /** {@code ULONG_PTR InternalHigh}: bytes transferred, once complete. */
    static final int OVERLAPPED_InternalHigh = 8;
    /** {@code DWORD Offset}: low 32 bits of the file position. */
    static final int OVERLAPPED_Offset = 16;
    /** {@code DWORD OffsetHigh}: high 32 bits of the file position. */
    static final int OVERLAPPED_OffsetHigh = 20;
    /** {@code HANDLE hEvent}: unused (null) with a completion port. */
    static final int OVERLAPPED_hEvent = 24;
    static final int OVERLAPPED_SIZE = 32;

    // ---- OVERLAPPED_ENTRY (minwinbase.h), x64: 32 bytes ----

    static final int OVERLAPPED_ENTRY_lpCompletionKey = 0;
    static final int OVERLAPPED_ENTRY_lpOverlapped = 8;
    /** Reserved: not always 0 under Wine, never read. */
    static final int OVERLAPPED_ENTRY_Internal = 16;
    static final int OVERLAPPED_ENTRY_dwNumberOfBytesTransferred = 24;
    static final int OVERLAPPED_ENTRY_SIZE = 32;

    // ---- BY_HANDLE_FILE_INFORMATION (fileapi.h): DWORDs and FILETIMEs (two DWORDs), 52 bytes ----

    static final int BHFI_dwFileAttributes = 0;
    static final int BHFI_dwVolumeSerialNumber = 28;
    static final int BHFI_nFileIndexHigh = 44;
    static final int BHFI_nFileIndexLow = 48;
    static final int BY_HANDLE_FILE_INFORMATION_SIZE = 52;

    // ---- Win32 error codes (winerror.h) ----

    static final int ERROR_SUCCESS = 0;
    static final int ERROR_FILE_NOT_FOUND = 2;
    static final int ERROR_PATH_NOT_FOUND = 3;
    static final int ERROR_ACCESS_DENIED = 5;
    static final int ERROR_INVALID_HANDLE = 6;
    static final int ERROR_NOT_ENOUGH_MEMORY = 8;
    static final int ERROR_INVALID_DRIVE = 15;
    static final int ERROR_NOT_READY = 21;
    static final int ERROR_CRC = 23;
    static final int ERROR_SHARING_VIOLATION = 32;
    static final int ERROR_LOCK_VIOLATION = 33;
    static final int ERROR_HANDLE_EOF = 38;
    static final int ERROR_NOT_SUPPORTED = 50;
    static final int ERROR_FILE_EXISTS = 80;
    static final int ERROR_INVALID_PARAMETER = 87;
    static final int ERROR_BROKEN_PIPE = 109;
    static final int ERROR_DISK_FULL = 112;
    static final int ERROR_INVALID_NAME = 123;
    static final int ERROR_NEGATIVE_SEEK = 131;
    static final int ERROR_DIRECTORY = 267;
    static final int ERROR_ALREADY_EXISTS = 183;
    static final int ERROR_FILENAME_EXCED_RANGE = 206;
    static final int ERROR_MORE_DATA = 234;
    static final int ERROR_OPERATION_ABORTED = 995;
    static final int ERROR_IO_INCOMPLETE = 996;
    static final int ERROR_IO_PENDING = 997;
    static final int ERROR_NOACCESS = 998;
    static final int ERROR_CANT_RESOLVE_FILENAME = 1921;
    static final int ERROR_NOT_FOUND = 1168;
    static final int ERROR_NO_SYSTEM_RESOURCES = 1450;
    static final int ERROR_INVALID_USER_BUFFER = 1784;

    // ---- NTSTATUS values seen in OVERLAPPED.Internal (ntstatus.h) ----

    static final int STATUS_SUCCESS = 0;
    static final int STATUS_PENDING = 0x103;
    static final int STATUS_END_OF_FILE = 0xC0000011;
    static final int STATUS_CANCELLED = 0xC0000120;
    static final int STATUS_PIPE_BROKEN = 0xC000014B;

    /**
     * The Win32 error for the NTSTATUS values this engine meets on every completion path, or -1 when
     * the caller must ask {@code RtlNtStatusToDosError}.
     */
    static int knownNtStatusToWin32(int status) {
        switch (status) {
            case STATUS_SUCCESS:
                return ERROR_SUCCESS;
            case STATUS_END_OF_FILE:
                return ERROR_HANDLE_EOF;
            case STATUS_CANCELLED:
                return ERROR_OPERATION_ABORTED;
            case STATUS_PIPE_BROKEN:
                return ERROR_BROKEN_PIPE;
            default:
                return -1;
        }
    }

    /** The symbolic name of a Win32 error code ({@code ERROR_HANDLE_EOF}), or {@code WIN32_ERROR_<n>}. */
    static String errorName(int code) {
        switch (code) {
            case ERROR_SUCCESS: return "ERROR_SUCCESS";
            case ERROR_FILE_NOT_FOUND: return "ERROR_FILE_NOT_FOUND";
            case ERROR_PATH_NOT_FOUND: return "ERROR_PATH_NOT_FOUND";
            case ERROR_ACCESS_DENIED: return "ERROR_ACCESS_DENIED";
            case ERROR_INVALID_HANDLE: return "ERROR_INVALID_HANDLE";
            case ERROR_NOT_ENOUGH_MEMORY: return "ERROR_NOT_ENOUGH_MEMORY";
            case ERROR_INVALID_DRIVE: return "ERROR_INVALID_DRIVE";
            case ERROR_NOT_READY: return "ERROR_NOT_READY";
            case ERROR_CRC: return "ERROR_CRC";
            case ERROR_SHARING_VIOLATION: return "ERROR_SHARING_VIOLATION";
            case ERROR_LOCK_VIOLATION: return "ERROR_LOCK_VIOLATION";
            case ERROR_HANDLE_EOF: return "ERROR_HANDLE_EOF";
            case ERROR_NOT_SUPPORTED: return "ERROR_NOT_SUPPORTED";
            case ERROR_FILE_EXISTS: return "ERROR_FILE_EXISTS";
            case ERROR_INVALID_PARAMETER: return "ERROR_INVALID_PARAMETER";
            case ERROR_BROKEN_PIPE: return "ERROR_BROKEN_PIPE";
            case ERROR_DISK_FULL: return "ERROR_DISK_FULL";
            case ERROR_INVALID_NAME: return "ERROR_INVALID_NAME";
            case ERROR_NEGATIVE_SEEK: return "ERROR_NEGATIVE_SEEK";
            case ERROR_ALREADY_EXISTS: return "ERROR_ALREADY_EXISTS";
            case ERROR_FILENAME_EXCED_RANGE: return "ERROR_FILENAME_EXCED_RANGE";
            case ERROR_MORE_DATA: return "ERROR_MORE_DATA";
            case ERROR_DIRECTORY: return "ERROR_DIRECTORY";
            case ERROR_OPERATION_ABORTED: return "ERROR_OPERATION_ABORTED";
            case ERROR_IO_INCOMPLETE: return "ERROR_IO_INCOMPLETE";
            case ERROR_IO_PENDING: return "ERROR_IO_PENDING";
            case ERROR_NOACCESS: return "ERROR_NOACCESS";
            case ERROR_NOT_FOUND: return "ERROR_NOT_FOUND";
            case ERROR_NO_SYSTEM_RESOURCES: return "ERROR_NO_SYSTEM_RESOURCES";
            case ERROR_INVALID_USER_BUFFER: return "ERROR_INVALID_USER_BUFFER";
            case ERROR_CANT_RESOLVE_FILENAME: return "ERROR_CANT_RESOLVE_FILENAME";
            default: return "WIN32_ERROR_" + code;
        }
    }
}
