"""Payment providers: who moves refund money back to the shopper's original payment."""
