<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>SettingsWindow</name>
    <message numerus="yes">
        <source>%n layer(s) on the GPU ({backend})</source>
        <translation>
            <numerusform>%n layer on the GPU ({backend})</numerusform>
            <numerusform>%n layers on the GPU ({backend})</numerusform>
        </translation>
    </message>
</context>
</TS>
