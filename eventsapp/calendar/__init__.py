"""Calendar feeds (RFC 5545 / RFC 7986): the programme, one event, one registrant.

`ical` builds the bytes from models (pure functions); `services` reads what a
feed depends on from the database; `http` turns that into cached, conditional
responses; `views` holds the routes.
"""
