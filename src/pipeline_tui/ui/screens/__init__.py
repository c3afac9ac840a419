"""The app's screens: the board, the card, and the modal forms."""
