"""What a hub is worth: its spend against its award, quarter by quarter, and the benefits of its adoptions.

Between ``evaluation`` (indicators a benefit is measured by) and ``learning`` (whose nightly
roll-up reports spend and benefits) in the app order.
"""
