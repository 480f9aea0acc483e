"""The local review pages (`deepresearch serve`)."""
