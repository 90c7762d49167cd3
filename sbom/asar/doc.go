// Package asar reads Electron asar archives safely.
//
// An asar archive is a Chromium Pickle holding a JSON header followed by the
// concatenated bytes of the files it lists:
//
//	offset 0   uint32  4 (payload size of the size pickle)
//	offset 4   uint32  headerSize: byte length of the header pickle
//	offset 8   uint32  header pickle payload size
//	offset 12  int32   length of the JSON string
//	offset 16  JSON    {"files": {...}}, zero-padded to 4 bytes
//	8+headerSize       file data; a file lives at 8 + headerSize + offset
//
// A [Reader] reads the header through an [io.ReaderAt] and serves the archive
// as an [io/fs.FS]: directories, files (packed, or unpacked into the sibling
// folder "<archive>.unpacked/") and links, which are followed by Open and Stat
// and reported as symbolic links by ReadDir and Lstat, as a disk file system
// would. Bytes are read on demand; only the header is held in memory. The
// Sys method of every [fs.FileInfo] and [fs.DirEntry] Info returns the
// [*Entry] with the header's facts (offset, unpacked, integrity).
//
// Archives are treated as hostile. The header size, the number of entries and
// the directory depth are capped before anything is allocated from them.
// Problems confined to one entry (an unsafe name, a duplicate name, data out
// of range, a link leaving the archive or looping, a malformed entry) do not
// stop the archive from being read: the entry is left out or made unreadable,
// and the problem is listed by [Reader.Problems] with the entry path and the
// byte offset of the entry in the archive. Problems with the header itself are
// a [*FormatError] from [NewReader].
//
// [Reader.HeaderHash] is the SHA-256 of the JSON header string, the value
// Electron's asar integrity (Info.plist ElectronAsarIntegrity, the Windows
// Integrity/ElectronAsar resource) records. [Reader.VerifyFile] recomputes a
// file's SHA-256 and the SHA-256 of each of its blocks and compares them with
// the integrity the header records for it.
//
// Every byte of the archive is the header's, a readable packed file's, or
// reported: bytes after the last file's data, gaps between files' data and
// header pickle bytes beyond the JSON string and its zero alignment padding
// are [ErrUnownedData] problems with their offset and size. Neither the
// header hash nor any file's integrity covers such bytes. Files whose data
// overlap an earlier file's are [ErrOverlap] problems and are not read.
//
// What is not checked: that the header hash matches anything (the caller
// compares it with the application's claim).
package asar
