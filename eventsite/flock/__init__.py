"""Feathered friends: a panel recording turned into a flock of talking birds.

Pure Python plus ffmpeg, PocketSphinx and Pillow; nothing here knows about
Flask or the database (like ``eventsite/transcode``). The job layer calls::

    timeline = build_timeline(audio_path, speakers=[...], captions=..., chapters=...)
    render_flock(audio_path, out_dir, timeline, birds=[BirdSpec(...), ...], ...)

``timeline.py`` holds the data both halves share.
"""
