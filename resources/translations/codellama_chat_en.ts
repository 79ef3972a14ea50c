<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ChatPane</name>
    <message numerus="yes">
        <source>{note} (the %n oldest messages did not fit the context and were left out)</source>
        <translation>
            <numerusform>{note} (the oldest message did not fit the context and was left out)</numerusform>
            <numerusform>{note} (the %n oldest messages did not fit the context and were left out)</numerusform>
        </translation>
    </message>
</context>
</TS>
