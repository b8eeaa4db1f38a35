"""Input and output: discover names the inputs, streams opens them, decode turns bytes into text,
readers yield documents (warc for WARC/WET files), writers put results on disk.

Import from the submodules; this package file re-exports nothing, so no submodule depends on it.
"""
