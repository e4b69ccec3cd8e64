"""Tests for the ffmpeg layer (eventsite/transcode), on real ffmpeg."""
