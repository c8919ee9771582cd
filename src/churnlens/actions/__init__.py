"""Actions: the contact list, outreach and its effect, loyalty, and exporters."""
