"""What the Postal Service prints on mail, read and written as plain, typed functions.

Nothing here imports Django, touches a database or does I/O: these modules turn the
published postal formats (the Intelligent Mail barcode of USPS-B-3200 first) into
values, and say exactly what is wrong when a reading does not hold.
"""
