package server

import (
	"net"
	"syscall"
)

// setCork sets or clears TCP_CORK on c: while set, the kernel sends only
// full segments, so a response's header and body leave together, as
// nginx's tcp_nopush sends them. A connection that is not TCP is left
// alone.
func setCork(c net.Conn, on bool) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return
	}
	v := 0
	if on {
		v = 1
	}
	_ = rc.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, v)
	})
}
