package main

import (
	"encoding/json"
	"net/url"
	"os"
	"sync"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// clientv3 retries a read that failed with Unavailable (a server's "etcdserver: request timed out", for one) on its
// own, so such a failure never reaches the caller; it logs each failed attempt as a warning. This sink takes the
// client's log and counts those attempts, so that a result can show server errors that the retries hid.
type attemptLog struct {
	mu       sync.Mutex
	failed   int64
	firstErr string
}

var attempts = &attemptLog{}

func (a *attemptLog) Write(p []byte) (int, error) {
	var line struct {
		Msg   string `json:"msg"`
		Error string `json:"error"`
	}
	if json.Unmarshal(p, &line) == nil && line.Msg == "retrying of unary invoker failed" {
		a.mu.Lock()
		a.failed++
		if a.firstErr == "" {
			a.firstErr = line.Error
		}
		a.mu.Unlock()
		return len(p), nil
	}
	return os.Stderr.Write(p) // any other warning from the client
}

func (a *attemptLog) Sync() error  { return nil }
func (a *attemptLog) Close() error { return nil }

func (a *attemptLog) snapshot() (int64, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.failed, a.firstErr
}

func init() {
	if err := zap.RegisterSink("etcdload", func(*url.URL) (zap.Sink, error) { return attempts, nil }); err != nil {
		panic(err)
	}
}

// clientLogConfig sends clientv3's warnings to the counting sink.
func clientLogConfig() *zap.Config {
	return &zap.Config{
		Level:            zap.NewAtomicLevelAt(zap.WarnLevel),
		Encoding:         "json",
		EncoderConfig:    zapcore.EncoderConfig{MessageKey: "msg", LevelKey: "level", EncodeLevel: zapcore.LowercaseLevelEncoder},
		OutputPaths:      []string{"etcdload:attempts"},
		ErrorOutputPaths: []string{"stderr"},
	}
}
