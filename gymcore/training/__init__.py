"""Training the learned models under the paper's protocol."""
