"""E-mail in and out: intake of customer mail (IMAP, SMTP), threading of outgoing mail."""
