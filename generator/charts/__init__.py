"""The house style of every chart (`style`) and what a drawn chart is (`model`)."""
