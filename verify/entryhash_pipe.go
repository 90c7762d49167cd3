package verify

import "io"

// pipeChunks is how many pieces ReadFrom splits its buffer (one of
// bufPool's) into: the archive's goroutine reads and hashes one while the
// entries' goroutine hashes those before it. Pieces of 256 KiB stay in
// cache between the two goroutines; 8 buffers of 1 MiB cost about 3% more
// CPU and were no faster on the asar benchmark.
const pipeChunks = 4

type pipeChunk struct {
	p    []byte
	from int64
}

// ReadFrom hashes the rest of the archive, read from r, as Write does, but
// without waiting for the entries' goroutine after every read: the two
// goroutines run as a pipeline over a few buffers, so that one that is
// descheduled on a busy machine holds the other up only when the buffers
// run out. The entries' facts are in x.facts when it returns.
func (x *entryHasher) ReadFrom(r io.Reader) (int64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	size := len(buf) / pipeChunks
	free := make(chan []byte, pipeChunks)
	for i := range pipeChunks {
		free <- buf[i*size : (i+1)*size : (i+1)*size]
	}
	full := make(chan pipeChunk, pipeChunks)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c := range full {
			x.hashEntries(c.p, c.from)
			free <- c.p[:cap(c.p)]
		}
	}()
	var total int64
	var err error
	for {
		b := <-free
		n, rerr := r.Read(b)
		if n > 0 {
			if _, werr := x.w.Write(b[:n]); werr != nil && rerr == nil {
				rerr = werr
			}
			x.scanZipEnds(b[:n], x.pos)
			full <- pipeChunk{b[:n], x.pos}
			x.pos += int64(n)
			total += int64(n)
		} else {
			free <- b
		}
		if rerr != nil {
			if rerr != io.EOF {
				err = rerr
			}
			break
		}
	}
	close(full)
	<-done
	x.publish()
	return total, err
}
